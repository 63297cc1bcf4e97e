"""A plant's own OPC UA server (python asyncua, not factory-twin): a press with
its own namespace and node ids, Press1.Status (String), Press1.Good and
Press1.Scrap (UInt32 counters), whose values change with the PLC's source
timestamps (UTC). `monitor --opcua --map` reads it through the mapping
file's tags.

    python acme_opcua_plant.py PORT

Prints "ready" once serving; plays its changes when a line comes on stdin,
prints "played", and stops at the next line (or end of input).
"""

import asyncio
import datetime
import sys

from asyncua import Server, ua

SEOUL = datetime.timezone(datetime.timedelta(hours=9))


def at(hhmm):
    h, m = map(int, hhmm.split(":"))
    return datetime.datetime(2026, 12, 7, h, m, tzinfo=SEOUL).astimezone(datetime.timezone.utc)


async def line():
    return await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)


async def main():
    port = int(sys.argv[1])
    server = Server()
    await server.init()
    server.set_endpoint(f"opc.tcp://127.0.0.1:{port}/acme")
    server.set_security_policy([ua.SecurityPolicyType.NoSecurity])
    idx = await server.register_namespace("urn:acme:hall1")
    press = await server.nodes.objects.add_object(ua.NodeId("Press1", idx), "Press1")
    status = await press.add_variable(ua.NodeId("Press1.Status", idx), "Status", "IDLE")
    u32 = ua.VariantType.UInt32
    good = await press.add_variable(ua.NodeId("Press1.Good", idx), "Good", ua.Variant(1000, u32))
    scrap = await press.add_variable(ua.NodeId("Press1.Scrap", idx), "Scrap", ua.Variant(7, u32))
    text = ua.VariantType.String
    script = [
        (status, "RUN", text, "08:00"),
        (status, "STOP_ALM", text, "09:00"),
        (status, "RUN", text, "09:30"),
        (good, 1090, u32, "10:00"),
        (scrap, 12, u32, "10:00"),
        (status, "WAIT", text, "10:00"),
        (good, 3, u32, "10:30"),  # the PLC restarted
        (good, 13, u32, "11:00"),
        (status, "RUN", text, "11:00"),
    ]
    async with server:
        print(f"ready ns={idx}", flush=True)
        await line()
        for node, value, vtype, hhmm in script:
            when = at(hhmm)
            await node.write_value(
                ua.DataValue(ua.Variant(value, vtype), SourceTimestamp=when, ServerTimestamp=when)
            )
            await asyncio.sleep(0.2)
        print("played", flush=True)
        await line()


asyncio.run(main())
