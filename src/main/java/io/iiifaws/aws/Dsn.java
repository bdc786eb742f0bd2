package io.iiifaws.aws;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.profiles.ProfileFile;

/**
 * go-iiif-aws's AWS DSN: {@code region=R credentials=C}, pairs separated by spaces, both keys
 * required. C is {@code iam:} (the SDK's default chain: roles, environment, profiles),
 * {@code env:} (AWS_ACCESS_KEY_ID and friends), {@code PROFILE} (a profile of the shared
 * credentials file) or {@code PATH:PROFILE} (a profile of the credentials file at PATH).
 */
public record Dsn(String region, String credentials) {

    /** @throws IllegalArgumentException naming what is wrong with the string */
    public static Dsn parse(String text) {
        Map<String, String> pairs = new LinkedHashMap<>();
        for (String pair : text.trim().split(" +")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("'" + pair + "' is not a key=value pair");
            }
            String key = pair.substring(0, eq);
            if (pairs.put(key, pair.substring(eq + 1)) != null) {
                throw new IllegalArgumentException("'" + key + "' is given twice");
            }
        }
        for (String key : new String[] {"region", "credentials"}) {
            if (!pairs.containsKey(key) || pairs.get(key).isEmpty()) {
                throw new IllegalArgumentException("it is missing '" + key + "='");
            }
        }
        pairs.keySet().stream()
                .filter(k -> !k.equals("region") && !k.equals("credentials"))
                .findFirst()
                .ifPresent(k -> {
                    throw new IllegalArgumentException("'" + k + "' is not a DSN key (region, credentials)");
                });
        return new Dsn(pairs.get("region"), pairs.get("credentials"));
    }

    public AwsCredentialsProvider credentialsProvider() {
        if (credentials.equals("iam:")) {
            return DefaultCredentialsProvider.builder().build();
        }
        if (credentials.equals("env:")) {
            return EnvironmentVariableCredentialsProvider.create();
        }
        int colon = credentials.lastIndexOf(':');
        if (colon < 0) {
            // Asked now, so that a profile that is not there is an error of the DSN, not of the first call.
            if (ProfileFile.defaultProfileFile().profile(credentials).isEmpty()) {
                throw new IllegalArgumentException("profile '" + credentials
                        + "' is in neither the shared credentials file nor" + " the config file");
            }
            return ProfileCredentialsProvider.create(credentials);
        }
        String path = credentials.substring(0, colon);
        String profile = credentials.substring(colon + 1);
        if (path.isEmpty() || profile.isEmpty()) {
            throw new IllegalArgumentException(
                    "credentials '" + credentials + "' are not iam:, env:, PROFILE or PATH:PROFILE");
        }
        if (!Files.isReadable(Path.of(path))) {
            throw new IllegalArgumentException("credentials file '" + path + "' cannot be read");
        }
        ProfileFile file = ProfileFile.builder()
                .content(Path.of(path))
                .type(ProfileFile.Type.CREDENTIALS)
                .build();
        if (file.profile(profile).isEmpty()) {
            throw new IllegalArgumentException("profile '" + profile + "' is not in " + path);
        }
        return ProfileCredentialsProvider.builder()
                .profileFile(file)
                .profileName(profile)
                .build();
    }
}
