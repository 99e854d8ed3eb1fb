package dev.kata.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Typed, validating access to one TOML table; every problem is reported with its file and field. */
final class TomlTable {
    private final JsonNode node;
    private final Path file;
    private final String prefix;
    private final Problems problems;

    TomlTable(JsonNode node, Path file, String prefix, Problems problems) {
        this.node = node;
        this.file = file;
        this.prefix = prefix;
        this.problems = problems;
    }

    String field(String name) {
        return prefix + name;
    }

    boolean has(String name) {
        return node.has(name);
    }

    void problem(String name, String message) {
        problems.add(file, field(name), message);
    }

    void rejectUnknown(Set<String> known) {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                problem(name, "unknown field (known fields: " + String.join(", ", new TreeSet<>(known)) + ")");
            }
        }
    }

    /** A non-blank string, or null after reporting a problem. */
    String requiredString(String name) {
        JsonNode value = node.get(name);
        if (value == null) {
            problem(name, "missing");
            return null;
        }
        if (!value.isTextual()) {
            problem(name, "must be a string");
            return null;
        }
        if (value.asText().isBlank()) {
            problem(name, "must not be empty");
            return null;
        }
        return value.asText().strip();
    }

    String optionalString(String name, String fallback) {
        JsonNode value = node.get(name);
        if (value == null) {
            return fallback;
        }
        if (!value.isTextual()) {
            problem(name, "must be a string");
            return fallback;
        }
        return value.asText().strip();
    }

    /** A whole number in [1, max], or {@code fallback} when absent or invalid (the latter reported). */
    long optionalPositive(String name, long fallback, long max) {
        JsonNode value = node.get(name);
        if (value == null) {
            return fallback;
        }
        if (!value.isIntegralNumber()) {
            problem(name, "must be a whole number, got " + value);
            return fallback;
        }
        long n = value.asLong();
        if (n < 1 || n > max) {
            problem(name, "must be between 1 and " + max + ", got " + n);
            return fallback;
        }
        return n;
    }

    /** An array of strings; an absent field is empty (or a problem when {@code required}). */
    List<String> stringList(String name, boolean required) {
        JsonNode value = node.get(name);
        List<String> result = new ArrayList<>();
        if (value == null) {
            if (required) {
                problem(name, "missing");
            }
            return result;
        }
        if (!value.isArray()) {
            problem(name, "must be an array of strings");
            return result;
        }
        for (int i = 0; i < value.size(); i++) {
            JsonNode item = value.get(i);
            if (!item.isTextual()) {
                problem(name, "item " + (i + 1) + " must be a string, got " + item);
            } else {
                result.add(item.asText());
            }
        }
        return result;
    }

    /** A table of string values, in file order; absent is empty. */
    Map<String, String> stringTable(String name) {
        JsonNode value = node.get(name);
        Map<String, String> result = new LinkedHashMap<>();
        if (value == null) {
            return result;
        }
        if (!value.isObject()) {
            problem(name, "must be a table of strings");
            return result;
        }
        value.properties().forEach(entry -> {
            if (!entry.getValue().isTextual() || entry.getValue().asText().isBlank()) {
                problem(name + "." + entry.getKey(), "must be a non-empty string");
            } else {
                result.put(entry.getKey(), entry.getValue().asText().strip());
            }
        });
        return result;
    }

    /** The tables of an array of tables ({@code [[name]]}); absent is empty (or a problem when required). */
    List<TomlTable> tableList(String name, boolean required) {
        JsonNode value = node.get(name);
        List<TomlTable> result = new ArrayList<>();
        if (value == null) {
            if (required) {
                problem(name, "missing");
            }
            return result;
        }
        if (!value.isArray()) {
            problem(name, "must be an array of tables ([[" + name + "]])");
            return result;
        }
        for (int i = 0; i < value.size(); i++) {
            if (!value.get(i).isObject()) {
                problem(name + "[" + i + "]", "must be a table");
            } else {
                result.add(new TomlTable(value.get(i), file, field(name) + "[" + i + "].", problems));
            }
        }
        return result;
    }
}
