"""Reports for auditors: HTML (Japanese by default, English), merged JSON, CSV for Excel, JUnit for CI."""
