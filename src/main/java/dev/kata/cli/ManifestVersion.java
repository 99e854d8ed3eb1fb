package dev.kata.cli;

import picocli.CommandLine.IVersionProvider;

/** {@code kata --version}: the Implementation-Version of the jar's manifest. */
public final class ManifestVersion implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String version = ManifestVersion.class.getPackage().getImplementationVersion();
        return new String[] {"kata " + (version == null ? "(development build)" : version),
                "Java " + Runtime.version()};
    }
}
