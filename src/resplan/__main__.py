import sys

from resplan.cli import main

sys.exit(main())
