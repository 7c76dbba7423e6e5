"""cutover: infrastructure-as-code and migration automation for the April 2028 cutover."""

__version__ = "0.1.0"
