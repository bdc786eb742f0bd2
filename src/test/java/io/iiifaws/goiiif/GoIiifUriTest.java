package io.iiifaws.goiiif;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The argument forms that make go-iiif 4 to 8 put each image's derivatives under its own path, and
 * the report names they write: facts from runs of the real v4.3.5, v6.1.4, v7.0.3 and v8.1.8.
 */
class GoIiifUriTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
      avocado.png             | file:///avocado.png?target=%2Favocado.png
      collection/IMG_0084.JPG | file:///collection/IMG_0084.JPG?target=%2Fcollection%2FIMG_0084.JPG
      a b/c d.jpg             | file:///a%20b/c%20d.jpg?target=%2Fa%20b%2Fc%20d.jpg
      a+b.jpg                 | file:///a%2Bb.jpg?target=%2Fa%2Bb.jpg
      a&b=c.jpg               | file:///a%26b%3Dc.jpg?target=%2Fa%26b%3Dc.jpg
      a:b.jpg                 | file:///a%3Ab.jpg?target=%2Fa%3Ab.jpg
      é/ü.jpg                 | file:///%C3%A9/%C3%BC.jpg?target=%2F%C3%A9%2F%C3%BC.jpg
      /leading/slash.jpg      | file:///leading/slash.jpg?target=%2Fleading%2Fslash.jpg
      """)
    void aKeyIsPassedAsAFileUriWhoseTargetIsItsOwnPath(String key, String argument) {
        assertThat(GoIiifUri.argument(key)).isEqualTo(argument);
        assertThat(GoIiifUri.problem(key)).isEmpty();
    }

    @Test
    void theReportIsNamedBySha256OfTheDecodedKey() {
        // Names v8.1.8 wrote (../shared/go-iiif/placement-v8.1.8.txt and the runs with unusual keys).
        assertThat(GoIiifUri.reportName("avocado.png"))
                .isEqualTo("process_d5d127943fe05615cb5d83ff3e12dc244483b5b2a92ee95917fa561c0b0cfc79.json");
        assertThat(GoIiifUri.reportName("collection/IMG_0084.JPG"))
                .isEqualTo("process_641ee47855cf73269e74b4b3da7958f6a0a411a0c3b30cb7666f1d245a0b80de.json");
        assertThat(GoIiifUri.reportName("a b/c d.jpg"))
                .isEqualTo("process_ff75f4d19a2a9fd8134b78dcba642df2f13ead1fa3e6883b1bf04fcf0bd61b21.json");
        assertThat(GoIiifUri.origin("/leading/slash.jpg")).isEqualTo("leading/slash.jpg");
    }

    @Test
    void keysWithUriSyntaxInThemAreRefusedWithTheReason() {
        // 100%.jpg stops the whole run (exit 1); x#1.jpg and what?.jpg are read as x and what.
        assertThat(GoIiifUri.problem("100%.jpg")).get().asString().contains("'%'", "rename the object");
        assertThat(GoIiifUri.problem("x#1.jpg")).get().asString().contains("'#'");
        assertThat(GoIiifUri.problem("what?.jpg")).get().asString().contains("'?'");
        assertThat(GoIiifUri.problem("odd?target=x.jpg")).isPresent();
    }

    @Test
    void goIiifsOwnUrisArePassedAsTheyAreAndNamedByTheirPath() {
        String idsecret = "idsecret:///avocado.png?id=123456&secret=abc&secret_o=xyz";
        assertThat(GoIiifUri.argument(idsecret)).isEqualTo(idsecret);
        assertThat(GoIiifUri.origin(idsecret)).isEqualTo("avocado.png");
        assertThat(GoIiifUri.argument("file:///a.jpg?target=%2Fb%2Fa.jpg"))
                .isEqualTo("file:///a.jpg?target=%2Fb%2Fa.jpg");
        assertThat(GoIiifUri.origin("file:///a%20b.jpg")).isEqualTo("a b.jpg");
        assertThat(GoIiifUri.problem("s3://bucket/a.jpg")).get().asString().contains("no 's3' URIs");
        assertThat(GoIiifUri.problem("file:///a b.jpg")).get().asString().contains("not a valid URI");
    }
}
