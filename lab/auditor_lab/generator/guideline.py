"""The generator labels its gold with the one severity guideline (``auditor.severity.guideline``)."""
from auditor.severity.guideline import DEFAULTS, LEVELS, rounding_only, severity  # noqa: F401
