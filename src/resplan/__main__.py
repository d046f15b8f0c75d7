from resplan.cli import run

run()
