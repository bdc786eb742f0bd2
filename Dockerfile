# The iiif-aws operator image.
#   docker build -t REGISTRY/iiif-aws:0.1.0 .
#   docker push REGISTRY/iiif-aws:0.1.0
# Multi-stage: Maven builds the jar, a slim JRE runs it as a non-root user.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q org.apache.maven.plugins:maven-dependency-plugin:3.8.1:go-offline
COPY src src
COPY examples examples
RUN mvn -B -q package -DskipTests

FROM eclipse-temurin:17-jre
RUN groupadd --system --gid 10001 iiif \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin iiif
# The operator's jar: the demo and its emulators are left out.
COPY --from=build /src/target/iiif-aws-operator.jar /opt/iiif-aws/iiif-aws.jar
COPY bin/iiif-process-ecs /usr/local/bin/iiif-process-ecs
USER 10001:10001
# The heap follows the container's memory limit; an out-of-memory JVM exits and is restarted.
# (JAVA_OPTS is for iiif-process-ecs; JAVA_TOOL_OPTIONS would add a line to every error.)
ENV JAVA_OPTS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
EXPOSE 8080
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-jar", "/opt/iiif-aws/iiif-aws.jar"]
CMD ["operator"]
