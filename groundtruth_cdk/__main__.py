"""``python -m groundtruth_cdk``: the ``groundtruth`` command line."""

import sys

from groundtruth_cdk.cli import main

if __name__ == "__main__":
    sys.exit(main())
