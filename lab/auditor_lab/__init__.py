"""Development tools of the auditor, kept out of the runtime package ``auditor``.

- ``generator``: synthetic annual reports in the statutory format, with gold findings
  (``python -m auditor_lab.generator OUT_DIR --n 30 --seed 1``);
- ``evaluation``: the harness that scores the auditor on a gold corpus (``auditor eval``);
- ``mutation``: planted errors in real reports (``auditor eval --mutate``);
- ``training``: training the severity model (``auditor train``).

None of them is imported by an audit. The runtime package reaches them only through the
``train`` and ``eval`` commands of ``auditor.cli``, lazily. Install with ``pip install -e ./lab``
from the repository root.
"""
