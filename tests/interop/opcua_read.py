"""An independent OPC UA client (python-opcua's asyncua) reads a plant
served by `factory-twin serve --opcua`: it browses Objects/Machines as a
SCADA would, reads each station's OPC 40001-1 MachineryItemState while the
line runs, waits for the line's Status to say `finished`, and prints each
station's GoodCount and ScrapCount as JSON.

    python opcua_read.py URL [USER PASSWORD CERT.der KEY.pem]

With a user it connects with Basic256Sha256, signed and encrypted.
"""

import asyncio
import json
import sys
import time

from asyncua import Client, ua
from asyncua.crypto.security_policies import SecurityPolicyBasic256Sha256

NAMESPACE = "urn:factory-twin:plant"


async def child(node, name):
    for c in await node.get_children():
        if (await c.read_browse_name()).Name == name:
            return c
    raise KeyError(f"{name} not under {node}")


async def connect(url, login):
    deadline = time.monotonic() + 90
    attempts = 0
    while True:
        attempts += 1
        client = Client(url, timeout=10)
        try:
            if login:
                user, password, cert, key = login
                client.set_user(user)
                client.set_password(password)
                client.application_uri = "urn:factory-twin:interop-test"
                # set_security asks the server for its endpoints: it connects
                # too, so it waits for a server still starting like connect.
                await client.set_security(
                    SecurityPolicyBasic256Sha256,
                    cert,
                    key,
                    mode=ua.MessageSecurityMode.SignAndEncrypt,
                )
            await client.connect()
            return client
        except (OSError, asyncio.TimeoutError) as e:
            if time.monotonic() > deadline:
                raise RuntimeError(f"no connection to {url} after {attempts} attempts") from e
            await asyncio.sleep(0.2)


async def main(url, login):
    client = await connect(url, login)
    try:
        ns = await client.get_namespace_index(NAMESPACE)
        machines = await child(client.nodes.objects, "Machines")
        plant = await child(client.nodes.objects, "Plant")
        status = None
        for c in await plant.get_children():
            if (await c.read_browse_name()).Name == "Status":
                status = c
        stations = {}
        for s in await machines.get_children():
            name = (await s.read_browse_name()).Name
            item_state = await child(await child(s, "MachineryItemState"), "CurrentState")
            stations[name] = {
                "node": s,
                "item_state": item_state,
                "good": await child(s, "GoodCount"),
                "scrap": await child(s, "ScrapCount"),
            }
        seen = set()
        deadline = time.monotonic() + 120
        while True:
            for st in stations.values():
                seen.add((await st["item_state"].read_value()).Text)
            text = await status.read_value()
            if text and json.loads(text)["status"] == "finished":
                break
            if time.monotonic() > deadline:
                raise TimeoutError("the line never said finished")
            await asyncio.sleep(0.05)
        out = {
            "namespace_index": ns,
            "item_states_seen": sorted(seen),
            "stations": {
                name: {
                    "good": await st["good"].read_value(),
                    "scrap": await st["scrap"].read_value(),
                }
                for name, st in stations.items()
            },
        }
        print(json.dumps(out, sort_keys=True))
    finally:
        await client.disconnect()


if __name__ == "__main__":
    args = sys.argv[1:]
    asyncio.run(main(args[0], args[1:5] if len(args) >= 5 else None))
