package dev.kata.probe.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kata.probe.RewrittenClasses;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A learner class loaded for a kata about leaked files reports each file it opens with the line that opened it. */
class OpenSiteRewriterTest {

    @TempDir
    Path dir;

    @Test
    void eachOpenIsRecordedWithTheLearnersLine() throws Exception {
        for (String name : List.of("a.txt", "b.txt", "c.txt")) {
            Files.writeString(dir.resolve(name), name);
        }
        long mark = FileOpens.mark();

        Object[] opened = (Object[]) learnerClass().getMethod("openThree", Path.class).invoke(null, dir);
        for (Object o : opened) {
            if (o instanceof Closeable c) {
                c.close();
            }
        }

        Path real = dir.toRealPath();
        assertEquals(Map.of(
                real.resolve("a.txt").toString(), List.of("Opener.java:15"),
                real.resolve("b.txt").toString(), List.of("Opener.java:16"),
                real.resolve("c.txt").toString(), List.of("Opener.java:18")),
                FileOpens.lines(List.of(real.resolve("a.txt").toString(), real.resolve("b.txt").toString(),
                        real.resolve("c.txt").toString()), mark),
                "a Scanner over a string opens nothing; the locals around the calls keep their values");
        assertEquals(3, FileOpens.since(mark).size());
    }

    @Test
    void anOpenThatFailedIsNotRecordedAndLambdasAreRewrittenToo() throws Exception {
        Files.writeString(dir.resolve("a.txt"), "a");
        long mark = FileOpens.mark();
        Class<?> learner = learnerClass();

        learner.getMethod("openMissing", Path.class).invoke(null, dir);
        ((Runnable) learner.getMethod("openInALambda", Path.class).invoke(null, dir)).run();

        assertEquals(List.of("Opener.java:34"), FileOpens.since(mark).stream().map(FileOpens.Open::line).toList());
    }

    @Test
    void aClassWithoutOpensIsLeftAsItIsAndUnreadableBytesPassThrough() throws IOException {
        byte[] plain;
        try (var in = OpenSiteRewriterTest.class.getResourceAsStream("/dev/kata/probe/files/FileOpens.class")) {
            plain = in.readAllBytes();
        }
        assertSame(plain, OpenSiteRewriter.rewrite(plain));
        byte[] garbage = {1, 2, 3};
        assertSame(garbage, OpenSiteRewriter.rewrite(garbage));
        assertTrue(OpenSiteRewriter.opensFile(org.objectweb.asm.Opcodes.INVOKESPECIAL, "java/util/Scanner", "<init>",
                "(Ljava/io/File;)V"));
    }

    /** Opener, loaded as the probe loads a learner class: from the classes folder, rewritten. */
    private static Class<?> learnerClass() throws Exception {
        return RewrittenClasses.load(Opener.class, OpenSiteRewriter::rewrite);
    }
}
