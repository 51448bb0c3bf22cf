# The campaign tool as a container image, for departments that deploy containers.
#   docker build -t campaign .
#   docker compose up -d            (compose.yaml: web app, daemon; the workspace is a volume)
# The image holds no workspace and no secret: the workspace is mounted at /workspace, tokens come
# from the environment (an env file kept by IT with mode 0600).
FROM python:3.11-slim-bookworm

# libfribidi0: right-to-left text (Arabic quotes); ExifTool: the press images' IPTC/XMP credit lines.
# Not pinned: Debian's stable updates are the security fixes this image should get when rebuilt.
# hadolint ignore=DL3008
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libfribidi0 libimage-exiftool-perl \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/campaign
COPY setup.cfg pyproject.toml README.md ./
COPY campaign ./campaign
COPY portraits ./portraits
COPY schedules ./schedules
RUN pip install --no-cache-dir . && rm -rf /opt/campaign/*

# Never root: the files the tool writes belong to this account (uid 1000 on the volume).
RUN useradd --system --uid 1000 --create-home --home-dir /home/campaign campaign \
 && mkdir /workspace && chown campaign /workspace
# By name: the account is made just above, with uid 1000.
# hadolint ignore=DL3066
USER campaign
ENV CAMPAIGN_WORKSPACE=/workspace CAMPAIGN_USER=campaign PYTHONUNBUFFERED=1
VOLUME /workspace
EXPOSE 8080

# /health answers 503 (urlopen raises: unhealthy) when the store does not read or the daemon is late.
HEALTHCHECK --interval=60s --timeout=5s --start-period=20s \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/health', timeout=4)"]

ENTRYPOINT ["campaign"]
# The web app, reached through the HTTPS reverse proxy (cookies over HTTPS only).
CMD ["serve", "--host", "0.0.0.0", "--port", "8080", "--https-proxy"]
