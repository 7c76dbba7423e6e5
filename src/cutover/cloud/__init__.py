"""Pulumi programs for the cloud side of the cutover: one ``core`` stack and one stack per site."""
