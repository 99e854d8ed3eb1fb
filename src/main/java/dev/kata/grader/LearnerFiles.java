package dev.kata.grader;

import dev.kata.catalog.Kata;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Looks at the learner's files before javac does, for the mistakes javac words badly: a file that
 * is missing, empty, not UTF-8, or in another package. javac would answer those with a screen of
 * repeated errors (or, for bytes it cannot decode, warnings on stderr and a verdict anyway).
 */
final class LearnerFiles {
    private static final Pattern PACKAGE = Pattern.compile("^\\s*package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);
    private static final Pattern COMMENTS = Pattern.compile("//[^\\n]*|/\\*.*?\\*/", Pattern.DOTALL);

    private LearnerFiles() {
    }

    /** One diagnostic per file that javac should not see, in the kata's file order; empty when all are fine. */
    static List<CompileDiagnostic> problems(Kata kata, Path sourceDir) throws IOException {
        List<CompileDiagnostic> out = new ArrayList<>();
        if (sourceDir.toAbsolutePath().normalize().startsWith(kata.dir().toAbsolutePath().normalize())) {
            return out; // the kata's own variants: the catalog checked them, and they hold only what they change
        }
        for (String name : kata.files()) {
            Path file = sourceDir.resolve(name);
            CompileDiagnostic problem = problem(kata, file);
            if (problem != null) {
                out.add(problem);
            }
        }
        return out;
    }

    private static CompileDiagnostic problem(Kata kata, Path file) throws IOException {
        String shown = file.toAbsolutePath().normalize().toString();
        if (!Files.isRegularFile(file)) {
            return new CompileDiagnostic(shown, 0, 0, "this file is missing. `kata reset " + kata.id()
                    + "` puts the starter back (anything of yours there is backed up first).", "");
        }
        byte[] bytes = Files.readAllBytes(file);
        String text;
        try {
            text = utf8().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return notUtf8(shown, bytes);
        }
        String code = COMMENTS.matcher(text).replaceAll(" ");
        if (code.isBlank()) {
            return new CompileDiagnostic(shown, 0, 0, "the file is empty: it must hold the class of the same name, in "
                    + "package " + kata.javaPackage() + ". `kata reset " + kata.id() + "` puts the starter back.", "");
        }
        Matcher declared = PACKAGE.matcher(code);
        if (!declared.find()) {
            return new CompileDiagnostic(shown, 1, 1, "the file has no package declaration; it must start with `package "
                    + kata.javaPackage() + ";`.", firstLine(text));
        }
        if (!declared.group(1).equals(kata.javaPackage())) {
            long line = text.substring(0, Math.min(text.length(), declared.start(1))).chars().filter(c -> c == '\n').count() + 1;
            return new CompileDiagnostic(shown, line, 1, "the file declares package " + declared.group(1) + "; it must be `package "
                    + kata.javaPackage() + ";`.", lineAt(text, line));
        }
        return null;
    }

    private static CompileDiagnostic notUtf8(String shown, byte[] bytes) {
        CharsetDecoder decoder = utf8();
        int offset = 0;
        // Find the first byte that does not decode, to name its line and column.
        for (int end = 1; end <= bytes.length; end++) {
            try {
                decoder.reset().decode(ByteBuffer.wrap(bytes, 0, end));
                offset = end;
            } catch (CharacterCodingException e) {
                if (end - offset > 4) {
                    break;
                }
            }
        }
        long line = 1;
        int lineStart = 0;
        for (int i = 0; i < offset; i++) {
            if (bytes[i] == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        int bad = Math.min(offset, bytes.length - 1);
        return new CompileDiagnostic(shown, line, offset - lineStart + 1, String.format(
                "the file is not UTF-8 text: byte 0x%02X here is not valid UTF-8. Save the file as UTF-8"
                        + " (your editor's encoding setting).", bytes[bad] & 0xff), "");
    }

    private static CharsetDecoder utf8() {
        return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
    }

    private static String firstLine(String text) {
        return lineAt(text, 1);
    }

    private static String lineAt(String text, long line) {
        String[] lines = text.split("\\R", -1);
        return line >= 1 && line <= lines.length ? lines[(int) line - 1] : "";
    }
}
