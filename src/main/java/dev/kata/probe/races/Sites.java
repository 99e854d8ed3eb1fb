package dev.kata.probe.races;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The learner's field accesses that {@link RaceRewriter} marked, numbered as it rewrites: which
 * field, in which method, at which line. A race report names both accesses by these.
 */
final class Sites {
    /** One access: the field (Class.name), the learner's file and line, and the method. */
    record Site(int fieldKey, String field, String at, String method) {
    }

    private static final List<Site> SITES = new ArrayList<>();
    private static final Map<String, Integer> FIELDS = new HashMap<>();
    private static volatile Site[] published = new Site[0];

    private Sites() {
    }

    /** A number for an access to field {@code name} declared by {@code declaringClass} (an internal name). */
    static synchronized int add(String declaringClass, String name, String sourceFile, int line, String method) {
        int key = FIELDS.computeIfAbsent(declaringClass + "." + name, k -> FIELDS.size());
        String simple = declaringClass.substring(declaringClass.lastIndexOf('/') + 1).replace('$', '.');
        String file = sourceFile != null ? sourceFile : simple + ".java";
        SITES.add(new Site(key, simple + "." + name, line > 0 ? file + ":" + line : file, method));
        published = SITES.toArray(new Site[0]);
        return SITES.size() - 1;
    }

    static Site get(int site) {
        return published[site];
    }

    static int fieldOf(int site) {
        return published[site].fieldKey();
    }
}
