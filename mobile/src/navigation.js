// The screens and how the engineer moves between them: tabs for the day's work, a stack for
// details (Android's back button pops it), a sync bar on every tab.
import React from 'react';
import { Pressable, Text, View } from 'react-native';
import { createBottomTabNavigator } from '@react-navigation/bottom-tabs';
import { createNativeStackNavigator } from '@react-navigation/native-stack';
import { ago } from 'fieldsync-phone-data/forms.js';
import { FieldDataContext, SessionContext, useData, useFieldData, useSession } from './hooks';
import { OffersScreen, OfferEditScreen } from './screens/Offers';
import OfferDetailScreen from './screens/OfferDetail';
import { LeadsScreen, TodosScreen, VisitsScreen } from './screens/Activity';
import { ExpenseFormScreen, ExpensesScreen } from './screens/Expenses';
import ReceiptsScreen from './screens/Receipts';
import SettingsScreen from './screens/Settings';
import { Button, Page, colors } from './ui';

const Tabs = createBottomTabNavigator();
const Stack = createNativeStackNavigator();

/** Online or not, last sync and what the server does not have yet. */
export function SyncBar({ title }) {
  const session = useSession();
  const { status } = useData();
  const online = status.online;
  return (
    <View testID="sync-bar" style={{ paddingHorizontal: 16, paddingVertical: 8, backgroundColor: '#f3f5f8', gap: 2 }}>
      <Text style={{ fontSize: 20, fontWeight: '600' }}>{title}</Text>
      <View style={{ flexDirection: 'row', gap: 8, alignItems: 'center', flexWrap: 'wrap' }}>
        <Text testID="sync-online" style={{ color: online === false ? colors.danger : colors.ok }}>
          {online === false ? 'Offline' : online ? 'Online' : 'Connecting'}</Text>
        <Text testID="last-sync">Synced {ago(status.lastSync)}</Text>
        <Text testID="pending-count">{status.pending} not sent</Text>
        {status.checking ? <Text testID="checking-count">{status.checking} waiting for the server&apos;s check</Text> : null}
        <Pressable accessibilityRole="button" onPress={() => session.loop.now()} style={{ minHeight: 40, justifyContent: 'center' }}>
          <Text style={{ color: colors.primary }}>Sync now</Text>
        </Pressable>
      </View>
    </View>
  );
}

function MoreScreen({ navigation }) {
  return (
    <Page testID="more">
      <Button title="To-dos" kind="secondary" onPress={() => navigation.navigate('Todos')} />
      <Button title="Receipts and rejections" kind="secondary" onPress={() => navigation.navigate('Receipts')} />
      <Button title="Settings" kind="secondary" onPress={() => navigation.navigate('Settings')} />
    </Page>
  );
}

function HomeTabs() {
  return (
    <Tabs.Navigator screenOptions={({ route }) => ({ header: () => <SyncBar title={route.name} />, tabBarActiveTintColor: colors.primary })}>
      <Tabs.Screen name="Offers" component={OffersScreen} />
      <Tabs.Screen name="Leads" component={LeadsScreen} />
      <Tabs.Screen name="Visits" component={VisitsScreen} />
      <Tabs.Screen name="Expenses" component={ExpensesScreen} />
      <Tabs.Screen name="More" component={MoreScreen} />
    </Tabs.Navigator>
  );
}

/** The signed-in app; goes inside a NavigationContainer. `workingDay` starts and ends the
 * background location service (absent where there is none). */
export function FieldNavigator({ session, onSignOut, workingDay }) {
  const data = useFieldData(session);
  return (
    <SessionContext.Provider value={session}>
      <FieldDataContext.Provider value={data}>
        <Stack.Navigator>
          <Stack.Screen name="Home" component={HomeTabs} options={{ headerShown: false }} />
          <Stack.Screen name="OfferEdit" component={OfferEditScreen} options={{ title: 'Offer' }} />
          <Stack.Screen name="OfferDetail" component={OfferDetailScreen} options={{ title: 'Offer' }} />
          <Stack.Screen name="ExpenseForm" component={ExpenseFormScreen} options={{ title: 'Expense' }} />
          <Stack.Screen name="Todos" component={TodosScreen} options={{ title: 'To-dos' }} />
          <Stack.Screen name="Receipts" component={ReceiptsScreen} options={{ title: 'Receipts' }} />
          <Stack.Screen name="Settings" options={{ title: 'Settings' }}>
            {() => <SettingsScreen onSignOut={onSignOut} workingDay={workingDay} />}
          </Stack.Screen>
        </Stack.Navigator>
      </FieldDataContext.Provider>
    </SessionContext.Provider>
  );
}
