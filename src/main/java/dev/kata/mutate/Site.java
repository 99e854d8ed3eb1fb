package dev.kata.mutate;

import com.github.javaparser.ast.Node;

/**
 * One place an operator can change in a parsed unit.
 *
 * @param node  the node changed, to name the member it is in
 * @param apply changes the unit it was found in
 */
record Site(Node node, Runnable apply) {
}
