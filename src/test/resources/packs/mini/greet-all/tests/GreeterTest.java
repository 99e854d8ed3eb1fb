package greetall;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class GreeterTest {
    @Test
    void greetsTheWorld() {
        assertEquals("hello world", new Greeter().greet(Names.WORLD));
    }
}
