# Build from the repository root: docker build -f deploy/docker/silo.Dockerfile -t widgets-silo .
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish silo/Widgets.Silo.csproj -c Release -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app .
ENV Widgets__Mode=Cluster \
    Orleans__AdvertisedIP=0.0.0.0 \
    Urls=http://0.0.0.0:8080
# 11111 silo-to-silo, 30000 gateways (Orleans clients), 8080 health and dashboard
EXPOSE 11111 30000 8080
USER app
ENTRYPOINT ["dotnet", "Widgets.Silo.dll"]
