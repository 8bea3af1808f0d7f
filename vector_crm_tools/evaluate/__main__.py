import sys

from .identity import main

sys.exit(main())
