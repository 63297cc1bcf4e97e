"""An independent MQTT client (Eclipse paho-mqtt) reads a plant served by
`factory-twin serve --mqtt`: it subscribes to plant/<line>/#, takes the
retained birth, counts every event by object and name until the line's
status says `finished` with as many events as it has, and prints the counts
as JSON.

    python mqtt_read.py HOST PORT LINE
"""

import json
import sys
import threading
import time
from collections import Counter

import paho.mqtt.client as mqtt

host, port, line = sys.argv[1], int(sys.argv[2]), sys.argv[3]
counts = Counter()
seqs = set()
birth = {}
expected = [None]
done = threading.Event()
ready = threading.Event()


def on_connect(client, userdata, flags, reason, properties):
    client.subscribe(f"plant/{line}/#", qos=1)


def on_subscribe(client, userdata, mid, reasons, properties):
    print("subscribed", file=sys.stderr, flush=True)
    ready.set()


def on_message(client, userdata, msg):
    parts = msg.topic.split("/")
    body = json.loads(msg.payload)
    if parts[-1] == "birth":
        birth.update(body)
    elif parts[-1] == "event":
        if body["seq"] not in seqs:
            seqs.add(body["seq"])
            counts[f"{parts[2]}/{body['event']}"] += 1
    elif parts[-1] == "status" and body["status"] == "finished" and not msg.retain:
        expected[0] = body["events"]
    if expected[0] is not None and len(seqs) >= expected[0]:
        done.set()


client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"interop-{time.time()}")
client.on_connect = on_connect
client.on_subscribe = on_subscribe
client.on_message = on_message
client.connect(host, port)
client.loop_start()
if not done.wait(120):
    sys.exit(f"the line never finished: {len(seqs)} events, expected {expected[0]}")
client.loop_stop()
print(json.dumps({"scene": birth.get("scene"), "events": len(seqs), "counts": counts}, sort_keys=True))
