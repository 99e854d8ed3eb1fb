package greetall;

public final class Names {
    public static final String WORLD = "world";
}
