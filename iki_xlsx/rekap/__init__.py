"""The recap: the tidy value table and the recap workbook with live formulas."""
