package io.iiifaws.demo;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * The few EC2 and IAM calls the demo and the tests make (default subnets and security group, a
 * role), through the AWS query API with a SigV4 signature: the EC2 SDK module alone is 26 MB.
 */
public final class AwsQuery {
    private final URI endpoint;
    private final String region;
    private final AwsCredentialsIdentity credentials;
    private final HttpClient http = HttpClient.newHttpClient();

    public AwsQuery(URI endpoint, String region, AwsCredentialsIdentity credentials) {
        this.endpoint = endpoint;
        this.region = region;
        this.credentials = credentials;
    }

    /** IDs of the default VPC's subnets. */
    public List<String> defaultSubnets() throws IOException {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("Action", "DescribeSubnets");
        params.put("Filter.1.Name", "default-for-az");
        params.put("Filter.1.Value.1", "true");
        return values(call("ec2", "2016-11-15", params), "subnetId");
    }

    /** ID of the default VPC's default security group. */
    public String defaultSecurityGroup() throws IOException {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("Action", "DescribeSecurityGroups");
        params.put("Filter.1.Name", "group-name");
        params.put("Filter.1.Value.1", "default");
        List<String> groups = values(call("ec2", "2016-11-15", params), "groupId");
        if (groups.isEmpty()) {
            throw new IOException("EC2 reports no default security group");
        }
        return groups.get(0);
    }

    /** Creates an IAM role that Lambda may assume; returns its ARN. */
    public String createLambdaRole(String name) throws IOException {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("Action", "CreateRole");
        params.put("RoleName", name);
        params.put(
                "AssumeRolePolicyDocument",
                "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"lambda.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}");
        List<String> arns = values(call("iam", "2010-05-08", params), "Arn");
        if (arns.isEmpty()) {
            throw new IOException("IAM CreateRole returned no ARN");
        }
        return arns.get(0);
    }

    private String call(String service, String version, Map<String, String> params) throws IOException {
        params.put("Version", version);
        String body = params.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        SdkHttpRequest unsigned = SdkHttpRequest.builder()
                .method(SdkHttpMethod.POST)
                .uri(endpoint)
                .putHeader("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
                .build();
        var signed = AwsV4HttpSigner.create().sign(r -> r.request(unsigned)
                .payload(() -> new java.io.ByteArrayInputStream(bytes))
                .identity(credentials)
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, service)
                .putProperty(AwsV4HttpSigner.REGION_NAME, region));
        HttpRequest.Builder request =
                HttpRequest.newBuilder(endpoint).POST(HttpRequest.BodyPublishers.ofByteArray(bytes));
        signed.request().forEachHeader((name, values) -> {
            if (!name.equalsIgnoreCase("Host")) {
                values.forEach(v -> request.header(name, v));
            }
        });
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IOException(service + " " + params.get("Action") + " answered " + response.statusCode() + ": "
                        + response.body());
            }
            return response.body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static List<String> values(String xml, String element) {
        List<String> found = new ArrayList<>();
        Matcher m =
                Pattern.compile("<" + element + ">([^<]+)</" + element + ">").matcher(xml);
        while (m.find()) {
            if (!found.contains(m.group(1))) {
                found.add(m.group(1));
            }
        }
        return found;
    }
}
