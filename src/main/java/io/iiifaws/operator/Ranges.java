package io.iiifaws.operator;

import java.util.BitSet;
import java.util.stream.IntStream;

/** Sets of batch numbers written as ranges, "0-4711,4713-5000", to keep status small. */
final class Ranges {
    private Ranges() {}

    static String format(BitSet set) {
        StringBuilder text = new StringBuilder();
        for (int start = set.nextSetBit(0); start >= 0; ) {
            int end = set.nextClearBit(start) - 1;
            text.append(text.length() == 0 ? "" : ",").append(start);
            if (end > start) {
                text.append('-').append(end);
            }
            start = set.nextSetBit(end + 1);
        }
        return text.toString();
    }

    /** The numbers of the ranges; anything that is not a range is left out. */
    static IntStream parse(String ranges) {
        if (ranges == null || ranges.isBlank()) {
            return IntStream.empty();
        }
        return java.util.Arrays.stream(ranges.split(",")).flatMapToInt(part -> {
            String[] ends = part.strip().split("-", 2);
            try {
                int first = Integer.parseInt(ends[0]);
                int last = ends.length == 2 ? Integer.parseInt(ends[1]) : first;
                return first < 0 || last < first || last - first > 10_000_000
                        ? IntStream.empty()
                        : IntStream.rangeClosed(first, last);
            } catch (NumberFormatException e) {
                return IntStream.empty();
            }
        });
    }
}
