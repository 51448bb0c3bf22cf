"""The person's rights: the footprint places, erasure, withdrawal, their data export, doctor."""
