package dev.kata.render;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kata.workspace.KataState;
import java.util.List;

/** {@code kata list --json}: an array of the katas in order. */
public final class ListJson {
    private ListJson() {
    }

    public static String render(List<KataState> states) {
        ArrayNode array = Json.MAPPER.createArrayNode();
        for (KataState state : states) {
            ObjectNode node = array.addObject();
            node.put("id", state.kata().id());
            node.put("title", state.kata().title());
            node.put("status", state.status().id());
            node.put("track", state.kata().track());
            node.put("pitfall", state.kata().pitfall().id());
            node.put("summary", state.kata().summary());
        }
        return Json.write(array);
    }
}
