import { GraphQLError, isInputObjectType, isNonNullType, isNullableType, typeFromAST, type ValidationRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * A variable that fills the field of a @oneOf input object must be non-null, so that the document
 * alone guarantees the field is given. graphql-js 16 has that rule (VariablesInAllowedPositionRule),
 * but it looks only at the object's type as written at its position: where the object itself is
 * required (`target: TaskTarget!`), the type is wrapped in non-null and the rule never fires. A null
 * or absent variable then fails only at execution, as `Argument "input" has invalid value
 * {target: {ids: $ids}}.`, which names neither the variable nor the type. This rule reports exactly
 * the case graphql-js skips, with graphql-js' own message.
 */
export const OneOfRequiredPositionVariablesRule: ValidationRule = (context) => ({
  OperationDefinition: {
    leave(operation) {
      const definitions = new Map(operation.variableDefinitions?.map((d) => [d.variable.name.value, d]) ?? []);
      for (const { node, parentType } of context.getRecursiveVariableUsages(operation)) {
        if (!isNonNullType(parentType) || !isInputObjectType(parentType.ofType) || !parentType.ofType.isOneOf) continue;
        const definition = definitions.get(node.name.value);
        const variableType = definition && typeFromAST(context.getSchema(), definition.type);
        if (!variableType || !isNullableType(variableType)) continue;
        context.reportError(
          new GraphQLError(
            `Variable "$${node.name.value}" is of type "${String(variableType)}" but must be non-nullable to be used for ` +
              `OneOf Input Object "${parentType.ofType.name}".`,
            { nodes: [definition, node] },
          ),
        );
      }
    },
  },
});

export function useOneOfVariablesRule(): Plugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(OneOfRequiredPositionVariablesRule);
    },
  };
}
