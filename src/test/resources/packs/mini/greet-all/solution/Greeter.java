package greetall;

public final class Greeter {
    public String greet(String name) {
        return "hello " + name;
    }
}
