"""The Windows endpoint twin: a faithful, contract-checked test double of Windows PCs at the module boundary."""
