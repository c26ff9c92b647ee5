package dev.cairn.cli;

import java.util.ArrayList;
import java.util.List;

/** Text columns padded to line up; the last column is free text and is not padded. */
final class Table {
    private Table() {
    }

    /** One line per row, columns separated by at least two spaces, trailing blanks removed. */
    static List<String> align(List<String[]> rows) {
        int columns = rows.stream().mapToInt(r -> r.length).max().orElse(0);
        int[] width = new int[columns];
        for (String[] r : rows) {
            for (int i = 0; i < r.length - 1; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        List<String> lines = new ArrayList<>(rows.size());
        for (String[] r : rows) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                b.append(r[i]);
                if (i < r.length - 1) {
                    b.append(" ".repeat(width[i] - r[i].length() + 2));
                }
            }
            lines.add(b.toString().stripTrailing());
        }
        return lines;
    }
}
