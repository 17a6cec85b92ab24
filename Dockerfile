# syntax=docker/dockerfile:1
# TradeStat REST service: multi-stage build, non-root runtime on port 8080.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY TradeStat.Domain/TradeStat.Domain.csproj TradeStat.Domain/
COPY TradeStat.Infrastructure/TradeStat.Infrastructure.csproj TradeStat.Infrastructure/
COPY TradeStat.Api/TradeStat.Api.csproj TradeStat.Api/
RUN dotnet restore TradeStat.Api/TradeStat.Api.csproj
COPY TradeStat.Domain/ TradeStat.Domain/
COPY TradeStat.Infrastructure/ TradeStat.Infrastructure/
COPY TradeStat.Api/ TradeStat.Api/
RUN dotnet publish TradeStat.Api/TradeStat.Api.csproj -c Release -o /app --no-restore -p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS final
WORKDIR /app
COPY --from=build /app .
# Server GC is set in TradeStat.Api.csproj (runtimeconfig.json). DOTNET_ReadyToRun=0: the framework's methods are
# jitted with dynamic PGO instead of running from their precompiled code (docs/decisions/ADR-006-readytorun-off.md);
# it can only be set in the environment.
ENV ASPNETCORE_HTTP_PORTS=8080 \
    ASPNETCORE_ENVIRONMENT=Production \
    DOTNET_ReadyToRun=0
EXPOSE 8080
# The feed's data directory: a volume mounted here starts with this owner, so the non-root user can write its
# checkpoint while the root filesystem stays read-only.
RUN mkdir -p /data/feed && chown -R $APP_UID /data
# The image's built-in non-root user ("app").
USER $APP_UID
# No curl in the runtime image: bash's /dev/tcp is enough for a liveness probe.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /health/live HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["dotnet", "TradeStat.Api.dll"]
