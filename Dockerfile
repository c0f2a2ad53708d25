# syntax=docker/dockerfile:1.7
#
# ONE image for every ragline service. The entrypoint is the `ragline` CLI; the command picks the role:
#   docker run ragline:local serve ingest | serve embedder | serve search | serve workflows
# (and `publish` / `search` work too, e.g. as a Kubernetes Job). One image rather than one per module:
# the roles share ~95% of their dependencies (Kafka, Micrometer, DJL/ONNX, Lucene, Temporal SDK), the
# dev-stack module already assembles exactly one runtime classpath, and one digest per release makes
# deploy/rollback workflows and the DR region trivially consistent (all roles always run the same build).
#
# Build:   docker build -t ragline:local .
# Runs as uid 10001 with a read-only root filesystem: the only writable paths are /var/lib/ragline
# (RAGLINE_DATA_DIR: model cache, Kafka Streams state, Lucene index) and /tmp (native libraries of
# ONNX Runtime and the tokenizer are unpacked there: mount it writable and *exec*).

ARG JDK_IMAGE=eclipse-temurin:25-jdk-noble
ARG RUNTIME_IMAGE=debian:bookworm-slim

# ---------------------------------------------------------------------------------------------- build
FROM ${JDK_IMAGE} AS build
WORKDIR /src
# the wrapper and the poms first, so that the dependency download is cached while only sources change
COPY .mvn/ .mvn/
COPY mvnw pom.xml ./
COPY core/pom.xml core/
COPY ingestion-workflows/pom.xml ingestion-workflows/
COPY embedding-workers/pom.xml embedding-workers/
COPY search-api/pom.xml search-api/
COPY deployment-workflows/pom.xml deployment-workflows/
COPY dev-stack/pom.xml dev-stack/
COPY bench/pom.xml bench/
COPY core/src/ core/src/
COPY ingestion-workflows/src/ ingestion-workflows/src/
COPY embedding-workers/src/ embedding-workers/src/
COPY search-api/src/ search-api/src/
COPY deployment-workflows/src/ deployment-workflows/src/
COPY dev-stack/src/ dev-stack/src/
RUN --mount=type=cache,target=/root/.m2 \
    ./mvnw -B -q -DskipTests -pl dev-stack -am package \
 && test -f dev-stack/target/ragline-dev-stack.jar && test -d dev-stack/target/lib

# A trimmed Java runtime: the JDK minus its development tools, *with* jdk.incubator.vector (Lucene's
# SIMD code, about 2x faster) and jdk.unsupported (Kafka, Netty, gRPC). Checked on Temurin 25: the
# whole platform (Kafka broker, Temporal test server, PostgreSQL, model, index) starts on it.
RUN jlink --add-modules "$(java --list-modules | sed 's/@.*//' \
        | grep -vxE 'jdk\.(jlink|jpackage|compiler|javadoc|jshell|jdeps|jdi|jconsole|hotspot\.agent|editpad|internal\.ed|internal\.le|internal\.opt|jartool|jstatd|jcmd|jdwp\.agent|internal\.md)' \
        | paste -sd, -)" \
      --strip-debug --no-man-pages --no-header-files --output /opt/jre \
 && /opt/jre/bin/java --list-modules | grep -q '^jdk.incubator.vector@'

# -------------------------------------------------------------------------------------------- runtime
FROM ${RUNTIME_IMAGE}
# glibc (ONNX Runtime and the tokenizer ship glibc binaries), curl for HEALTHCHECK, CA certificates
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 ragline \
 && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/ragline --no-create-home \
            --shell /usr/sbin/nologin ragline \
 && install -d -o 10001 -g 10001 -m 0750 /var/lib/ragline

COPY --from=build /opt/jre /opt/jre
COPY --from=build /src/dev-stack/target/lib/ /app/lib/
COPY --from=build /src/dev-stack/target/ragline-dev-stack.jar /app/ragline-dev-stack.jar

# Only variables of core/.../config/Env.java (plus the image's own PATH/JAVA_HOME and the JVM's
# JAVA_TOOL_OPTIONS).
# JAVA_TOOL_OPTIONS carries the default heap share, and nothing else: the JVM applies it *before* its
# command line, so a heap flag in the ENTRYPOINT would silently win over every service's own
# setting. A service that sets JAVA_TOOL_OPTIONS replaces this whole value and must state its heap
# share itself: compose and k8s/ do, per role (embedder 50 and ingest 60: ONNX Runtime and RocksDB
# allocate outside the heap; search 40: Lucene's mapped index lives in the page cache).
ENV JAVA_HOME=/opt/jre \
    PATH=/opt/jre/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    JAVA_TOOL_OPTIONS=-XX:MaxRAMPercentage=70 \
    RAGLINE_DATA_DIR=/var/lib/ragline \
    RAGLINE_HOST=0.0.0.0 \
    RAGLINE_HTTP_PORT=8080

USER 10001:10001
WORKDIR /var/lib/ragline
VOLUME ["/var/lib/ragline"]
EXPOSE 8080

# Every role answers /health/ready on RAGLINE_HTTP_PORT.
HEALTHCHECK --interval=15s --timeout=3s --start-period=120s --retries=3 \
  CMD curl -fsS -o /dev/null "http://127.0.0.1:${RAGLINE_HTTP_PORT:-8080}/health/ready" || exit 1

# JVM flags from DESIGN.md. DJL_CACHE_DIR (a system property here: the variable is not one ragline
# reads) keeps DJL's native-library cache off the read-only root; -XX:-UsePerfData keeps hsperfdata
# off /tmp. No heap flag here: the heap share is JAVA_TOOL_OPTIONS (above), which services override.
ENTRYPOINT ["java", \
  "--add-modules", "jdk.incubator.vector", \
  "--enable-native-access=ALL-UNNAMED", \
  "--sun-misc-unsafe-memory-access=allow", \
  "-Dai.djl.offline=true", \
  "-DDJL_CACHE_DIR=/tmp/djl", \
  "-Djava.io.tmpdir=/tmp", \
  "-XX:+ExitOnOutOfMemoryError", \
  "-XX:-UsePerfData", \
  "-cp", "/app/ragline-dev-stack.jar:/app/lib/*", \
  "io.ragline.devstack.cli.RaglineCli"]
CMD ["serve", "search"]
