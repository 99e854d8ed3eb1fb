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
    /**
     * One access: the field (Class.name), the learner's file and line, and the method. For a call
     * on a collection, {@code call} is the method called (put, get...), and {@code field} the
     * collection's declared type; every collection shares one key, its contents.
     */
    record Site(int fieldKey, String field, String at, String method, String call, boolean writes) {
    }

    private static final String CONTENTS = "<contents of a collection>";
    private static final String ELEMENTS = "<elements of an array>";

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
        return publish(new Site(key, simple + "." + name, at(file, line), method, null, false));
    }

    /** A number for a call of {@code call} on a collection of declared type {@code owner} (an internal name). */
    static synchronized int addCall(String owner, String call, boolean writes, String learnerClass, String sourceFile,
            int line, String method) {
        int key = FIELDS.computeIfAbsent(CONTENTS, k -> FIELDS.size());
        String simple = learnerClass.substring(learnerClass.lastIndexOf('/') + 1);
        int nested = simple.indexOf('$');
        String file = sourceFile != null ? sourceFile : (nested < 0 ? simple : simple.substring(0, nested)) + ".java";
        String type = owner.substring(owner.lastIndexOf('/') + 1);
        return publish(new Site(key, type, at(file, line), method, call, writes));
    }

    /** A number for a read or write of an array element in a learner class; every array shares one key. */
    static synchronized int addElement(String learnerClass, String sourceFile, int line, String method, boolean writes) {
        int key = FIELDS.computeIfAbsent(ELEMENTS, k -> FIELDS.size());
        String simple = learnerClass.substring(learnerClass.lastIndexOf('/') + 1);
        int nested = simple.indexOf('$');
        String file = sourceFile != null ? sourceFile : (nested < 0 ? simple : simple.substring(0, nested)) + ".java";
        return publish(new Site(key, "array", at(file, line), method, null, writes));
    }

    private static String at(String file, int line) {
        return line > 0 ? file + ":" + line : file;
    }

    /** Adds {@code site} where readers see it; its number. Called under the class's lock. */
    private static int publish(Site site) {
        SITES.add(site);
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
