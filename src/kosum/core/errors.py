"""The two kinds of user error every stage reports as one sentence (`kosum.core.stage`): a wrong setting and a
malformed data file."""


class ConfigError(ValueError):
    """A params.yaml or configs/ value is missing, unknown or of the wrong type."""


class DataError(ValueError):
    """A data file is malformed; the message names the file, row and column."""
