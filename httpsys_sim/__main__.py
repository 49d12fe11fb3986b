import sys

from httpsys_sim.cli import main

sys.exit(main())
