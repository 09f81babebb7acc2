# Build from the repository root: docker build -f deploy/docker/silo.Dockerfile -t widgets-silo:1.0.0 .
# Base images are pinned to a patch release (pin their digests too, @sha256:…, in a registry you control).
FROM mcr.microsoft.com/dotnet/sdk:10.0.401 AS build
WORKDIR /src
COPY . .
# ReadyToRun: precompiled code, so a fresh pod serves at full speed sooner instead of waiting on the JIT
# (docs/PERFORMANCE.md). It needs a runtime identifier; the image is framework-dependent (the runtime is in the base).
RUN dotnet publish silo/Widgets.Silo.csproj -c Release -r linux-x64 --self-contained false \
      -p:PublishReadyToRun=true -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0.12
WORKDIR /app
COPY --from=build /app .
# The app user (APP_UID, 1654 in the .NET images) owns its data directory (outbox files, keys in embedded mode); the
# rest stays read-only.
RUN mkdir -p /app/data && chown "$APP_UID:$APP_UID" /app/data
VOLUME /app/data
ENV Widgets__Mode=Cluster \
    Widgets__DataDirectory=/app/data \
    Urls=http://0.0.0.0:8080
# 11111 silo-to-silo, 30000 gateways (Orleans clients), 8080 health and dashboard. Orleans__AdvertisedIP is left
# unset: the silo advertises the container's own address (its first non-loopback interface).
EXPOSE 11111 30000 8080
# By number, not by name: Kubernetes' runAsNonRoot refuses to start an image whose user it cannot check is not root.
USER $APP_UID
ENTRYPOINT ["dotnet", "Widgets.Silo.dll"]
