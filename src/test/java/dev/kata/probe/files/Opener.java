package dev.kata.probe.files;

import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Scanner;

/** Plays the learner in {@link OpenSiteRewriterTest}: opens files in the ways learners do (line numbers matter). */
public class Opener {
    public static Object[] openThree(Path dir) throws IOException {
        long before = System.nanoTime();
        FileInputStream stream = new FileInputStream(dir.resolve("a.txt").toFile());
        BufferedReader reader = Files.newBufferedReader(dir.resolve("b.txt"), java.nio.charset.StandardCharsets.UTF_8);
        double ratio = before / 2.0;
        RandomAccessFile file = new RandomAccessFile(dir.resolve("c.txt").toString(), "r");
        Scanner words = new Scanner("not a file name");
        return new Object[] {stream, reader, file, words, ratio};
    }

    public static void openMissing(Path dir) {
        try {
            new FileInputStream(dir.resolve("missing.txt").toFile()).close();
        } catch (IOException expected) {
            // not opened: nothing to report
        }
    }

    public static Runnable openInALambda(Path dir) {
        return () -> {
            try {
                Files.newInputStream(dir.resolve("a.txt")).close();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
    }
}
