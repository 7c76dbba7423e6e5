"""One evidence schema for every source (Pulumi, Ansible, testinfra, the survey, the inventory)."""
