import sys

from flaskguard.cli import main

sys.exit(main())
