package io.iiifaws.demo;

import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import javax.imageio.ImageIO;

/** Images for the demo, drawn here: a PNG, a JPEG, and a JPEG cut short that no decoder can read. */
final class DemoImages {
    private DemoImages() {}

    static byte[] png() throws IOException {
        return encode(draw(new Color(0x56, 0x82, 0x03), new Color(0xe6, 0xe2, 0x9a)), "png");
    }

    static byte[] jpeg() throws IOException {
        return encode(draw(new Color(0x1f, 0x3b, 0x73), new Color(0xd9, 0x8c, 0x3f)), "jpg");
    }

    /** The first part of a JPEG: the header promises an image the bytes never finish. */
    static byte[] broken() throws IOException {
        byte[] whole = jpeg();
        return Arrays.copyOf(whole, Math.min(whole.length, 2000));
    }

    private static BufferedImage draw(Color from, Color to) {
        BufferedImage image = new BufferedImage(600, 400, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setPaint(new GradientPaint(0, 0, from, 600, 400, to));
        g.fillRect(0, 0, 600, 400);
        g.setColor(new Color(255, 255, 255, 160));
        g.fillOval(180, 80, 240, 240);
        g.dispose();
        return image;
    }

    private static byte[] encode(BufferedImage image, String format) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        if (!ImageIO.write(image, format, bytes)) {
            throw new IOException("no " + format + " writer");
        }
        return bytes.toByteArray();
    }
}
