import os, sys
sys.argv = [sys.argv[0], os.environ.get("BENCH_PLUGINS_ROOT", ""), "0"]
from flask_seed import app  # noqa: E402
