package io.iiifaws.collection;

/**
 * A set of longs in one array (open addressing), for the hashes of a million URIs in 16 MB rather
 * than the 100 MB their strings would take.
 */
final class LongSet {
    private static final long EMPTY = 0;
    private long[] slots = new long[1024];
    private int size;
    private boolean hasEmpty;

    /** Adds the value; returns false when it was there already. */
    boolean add(long value) {
        if (value == EMPTY) {
            boolean added = !hasEmpty;
            hasEmpty = true;
            return added;
        }
        if ((size + 1) * 2 > slots.length) {
            grow();
        }
        return insert(slots, value);
    }

    private boolean insert(long[] table, long value) {
        int mask = table.length - 1;
        int i = (int) mix(value) & mask;
        while (table[i] != EMPTY) {
            if (table[i] == value) {
                return false;
            }
            i = (i + 1) & mask;
        }
        table[i] = value;
        if (table == slots) {
            size++;
        }
        return true;
    }

    private void grow() {
        long[] old = slots;
        slots = new long[old.length * 2];
        size = 0;
        for (long value : old) {
            if (value != EMPTY) {
                insert(slots, value);
            }
        }
    }

    private static long mix(long x) {
        x ^= x >>> 33;
        x *= 0xff51afd7ed558ccdL;
        x ^= x >>> 33;
        return x;
    }
}
