# configd: build the shaded jar, then run it as a non-root user on a JRE.
# No Docker engine runs where configd is developed, so this file is kept correct by reading;
# build it where one runs:  docker build -t configd .
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
# parent/pom.xml builds the server with the modules it needs: model/, and client/ (its tests compile against it)
# the build bundles the web console (console/) with Node.js and npm
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends nodejs npm && rm -rf /var/lib/apt/lists/*
COPY pom.xml .
COPY parent/pom.xml parent/
COPY model/pom.xml model/
COPY client/pom.xml client/
# every module the parent lists must be there to be read, even those the image does not build
COPY spring-boot-starter/pom.xml spring-boot-starter/
COPY examples/spring-starter-app/pom.xml examples/spring-starter-app/
COPY examples/spring-cloud-config-app/pom.xml examples/spring-cloud-config-app/
RUN mvn -B -q -f parent/pom.xml -pl :configd -am dependency:go-offline
COPY model/src ./model/src
COPY client/src ./client/src
COPY console ./console
COPY src ./src
RUN mvn -B -q -f parent/pom.xml -pl :configd -am -DskipTests package

FROM eclipse-temurin:17-jre
# curl for the HEALTHCHECK: installed here rather than assumed of the base image; /bin/sh there is dash, which has no
# /dev/tcp. A numeric user, so that Kubernetes' runAsNonRoot can check it (deploy/kubernetes runs it as 10001).
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends curl && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 configd \
    && useradd --system --uid 10001 --gid configd --home-dir /app --shell /usr/sbin/nologin configd
WORKDIR /app
COPY --from=build /src/target/configd.jar /app/configd.jar
COPY conf /app/conf
USER 10001
# HTTP API and SockJS bridge, TCP event-bus bridge, Hazelcast, the event bus (cluster.eventBusPort), metrics (metrics.port)
EXPOSE 8080 7000 5701 5702 9090
ENV CONFIGD_JAVA_OPTS="-XX:MaxRAMPercentage=75 -XX:+UseG1GC"
# /health on the API port (CONFIGD_HTTP_PORT); with TLS on that port, set CONFIGD_HEALTHCHECK_URL (e.g. tls.healthPort's)
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s CMD ["sh", "-c", "curl -fsS --max-time 2 -o /dev/null \"${CONFIGD_HEALTHCHECK_URL:-http://127.0.0.1:${CONFIGD_HTTP_PORT:-8080}/health}\""]
ENTRYPOINT ["sh", "-c", "exec java $CONFIGD_JAVA_OPTS -jar /app/configd.jar"]
