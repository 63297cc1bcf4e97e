"""A plant with its own MQTT topics (not factory-twin's tree), published by an
independent client (Eclipse paho-mqtt): a press whose PLC sends its state as
plain text names and JSON objects with ISO 8601 times at UTC+09:00, and its
good and scrap counters as JSON with millisecond times, one counter restart
and one payload without a value among them. `monitor --map` reads it through
the mapping file's tags.

    python acme_plant.py HOST PORT
"""

import datetime
import json
import sys
import threading

import paho.mqtt.client as mqtt

host, port = sys.argv[1], int(sys.argv[2])
base = "acme/hall1/press1"
# Monday 2026-12-07 at UTC+09:00; milliseconds since 1970 for the counters.
SEOUL = datetime.timezone(datetime.timedelta(hours=9))
MONDAY_UTC_MS = int(datetime.datetime(2026, 12, 7, tzinfo=SEOUL).timestamp() * 1000)


def at(hhmm):
    return f"2026-12-07T{hhmm}:00+09:00"


def ms(hhmm):
    h, m = map(int, hhmm.split(":"))
    return MONDAY_UTC_MS + (h * 3600 + m * 60) * 1000


messages = [
    ("status", json.dumps({"value": "RUN", "timestamp": at("08:00")})),
    ("ok", json.dumps({"v": 1000, "ts": ms("08:00")})),
    ("nok", json.dumps({"v": 7, "ts": ms("08:00")})),
    ("status", json.dumps({"value": "STOP_ALM", "timestamp": at("09:00")})),
    ("status", json.dumps({"value": "RUN", "timestamp": at("09:30")})),
    ("status", json.dumps({"colour": "green"})),  # no value: malformed
    ("ok", json.dumps({"v": 1090, "ts": ms("10:00")})),
    ("nok", json.dumps({"v": 12, "ts": ms("10:00")})),
    ("status", json.dumps({"value": "WAIT", "timestamp": at("10:00")})),
    ("ok", json.dumps({"v": 3, "ts": ms("10:30")})),  # the PLC restarted
    ("ok", json.dumps({"v": 13, "ts": ms("11:00")})),
    ("status", json.dumps({"value": "RUN", "timestamp": at("11:00")})),
]

acked = threading.Semaphore(0)
connected = threading.Event()


def on_connect(client, userdata, flags, reason, properties):
    connected.set()


def on_publish(client, userdata, mid, reason, properties):
    acked.release()


client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="acme-press1")
client.on_connect = on_connect
client.on_publish = on_publish
client.connect(host, port)
client.loop_start()
if not connected.wait(10):
    sys.exit("acme plant: no connection")
for topic, payload in messages:
    client.publish(f"{base}/{topic}", payload, qos=1)
for _ in messages:
    if not acked.acquire(timeout=10):
        sys.exit("acme plant: a message was not acknowledged")
client.loop_stop()
client.disconnect()
print("published", len(messages), file=sys.stderr)
