# The iiif-aws operator image. Build it from the repository root:
#   docker build -t REGISTRY/iiif-aws:0.1.0 .
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src src
COPY examples examples
RUN mvn -B -q package -DskipTests

FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin iiif
COPY --from=build /src/target/iiif-aws.jar /opt/iiif-aws/iiif-aws.jar
USER 10001:10001
# The JVM sizes its heap from the container's memory limit.
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
ENTRYPOINT ["java", "-jar", "/opt/iiif-aws/iiif-aws.jar"]
CMD ["operator"]
