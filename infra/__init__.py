"""Infrastructure shared by every service: messaging runtime, stores, logging, HTTP probes.

Deployment files (images, Prometheus, Grafana) live beside it under `infra/docker/`.
"""
