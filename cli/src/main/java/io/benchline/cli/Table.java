package io.benchline.cli;

import java.util.ArrayList;
import java.util.List;

/** A plain text table: a header row, columns padded to their widest cell, no trailing blanks. */
final class Table {
    private final List<String[]> rows = new ArrayList<>();

    Table(String... header) {
        rows.add(header);
    }

    /** Adds a row; null or blank cells print as {@code -}. */
    Table row(String... cells) {
        String[] row = new String[cells.length];
        for (int i = 0; i < cells.length; i++) {
            row[i] = cells[i] == null || cells[i].isBlank() ? "-" : cells[i];
        }
        rows.add(row);
        return this;
    }

    /** Leaves out the columns (but the first {@code keep}) in which no row has a value. */
    Table withoutEmptyColumns(int keep) {
        int columns = rows.get(0).length;
        List<Integer> kept = new ArrayList<>();
        for (int i = 0; i < columns; i++) {
            boolean empty = i >= keep;
            for (int r = 1; r < rows.size() && empty; r++) {
                empty = rows.get(r)[i].equals("-");
            }
            if (!empty) {
                kept.add(i);
            }
        }
        for (int r = 0; r < rows.size(); r++) {
            String[] row = rows.get(r);
            rows.set(r, kept.stream().map(i -> row[i]).toArray(String[]::new));
        }
        return this;
    }

    /** Rows without the header. */
    int size() {
        return rows.size() - 1;
    }

    @Override
    public String toString() {
        int columns = rows.get(0).length;
        int[] width = new int[columns];
        for (String[] row : rows) {
            for (int i = 0; i < columns; i++) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < columns; i++) {
                line.append(i == columns - 1 ? row[i] : String.format("%-" + width[i] + "s  ", row[i]));
            }
            out.append(line.toString().stripTrailing()).append(System.lineSeparator());
        }
        return out.toString();
    }
}
