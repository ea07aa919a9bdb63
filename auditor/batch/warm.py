"""Importing this module builds the audit pipeline (a deliberate import-time side effect).

The local engine names it as the forkserver's preload: the server builds the pipeline once
and every worker is forked from it ready to audit, also after a crash or a killed hang.
"""
from .tasks import warm_up

warm_up()
