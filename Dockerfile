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
COPY cli/pom.xml cli/
# every module the parent lists must be there to be read, even those the image does not build
COPY spring-boot-starter/pom.xml spring-boot-starter/
COPY examples/spring-starter-app/pom.xml examples/spring-starter-app/
COPY examples/spring-cloud-config-app/pom.xml examples/spring-cloud-config-app/
RUN mvn -B -q -f parent/pom.xml -pl :configd -am dependency:go-offline
COPY model/src ./model/src
COPY client/src ./client/src
COPY cli/src ./cli/src
COPY console ./console
COPY src ./src
RUN mvn -B -q -f parent/pom.xml -pl :configd -am -DskipTests package

FROM eclipse-temurin:17-jre
RUN groupadd --system configd && useradd --system --gid configd --home-dir /app --shell /usr/sbin/nologin configd
WORKDIR /app
COPY --from=build /src/target/configd.jar /app/configd.jar
# configdctl beside it (the server's tests depend on it, so the build makes it): java -jar /app/configdctl.jar status
COPY --from=build /src/cli/target/configdctl.jar /app/configdctl.jar
COPY conf /app/conf
USER configd
# HTTP API and SockJS bridge, TCP event-bus bridge, cluster port
EXPOSE 8080 7000 5701
ENV CONFIGD_JAVA_OPTS="-XX:MaxRAMPercentage=75 -XX:+UseG1GC"
HEALTHCHECK --interval=10s --timeout=3s CMD ["sh", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 || exit 1"]
ENTRYPOINT ["sh", "-c", "exec java $CONFIGD_JAVA_OPTS -jar /app/configd.jar"]
